const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/**
 * A board as the budget sees it. `modelFlashBytes`/`modelRamBytes` are what is left for the model
 * after the firmware or OS: the budget's fit test compares against these, not the chip totals.
 */
export interface BoardProfile {
  readonly id: string;
  readonly name: string;
  readonly kind: 'mcu' | 'linux' | 'emulated';
  readonly flashBytes: number;
  readonly ramBytes: number;
  readonly modelFlashBytes: number;
  readonly modelRamBytes: number;
  readonly note: string;
}

// Reserves are our planning figures for firmware, stack and runtime (the C runtime's own use is
// measured when it lands); chip totals are from the vendors' datasheets.
export const BOARD_PROFILES: readonly BoardProfile[] = [
  {
    id: 'esp32-s3',
    name: 'ESP32-S3 (WROOM-1 N8R8)',
    kind: 'mcu',
    flashBytes: 8 * MiB,
    ramBytes: 512 * KiB + 8 * MiB,
    modelFlashBytes: 8 * MiB - 2 * MiB,
    modelRamBytes: 8 * MiB + 512 * KiB - 1 * MiB,
    note: '512 KiB SRAM + 8 MiB octal PSRAM; 2 MiB flash kept for app and OTA, 1 MiB RAM for Wi-Fi and FreeRTOS',
  },
  {
    id: 'stm32f746',
    name: 'STM32F746 (Cortex-M7)',
    kind: 'mcu',
    flashBytes: 1 * MiB,
    ramBytes: 320 * KiB,
    modelFlashBytes: 1 * MiB - 128 * KiB,
    modelRamBytes: 320 * KiB - 32 * KiB,
    note: '128 KiB flash and 32 KiB RAM kept for firmware and stack',
  },
  {
    id: 'nrf52840',
    name: 'nRF52840 (Cortex-M4F)',
    kind: 'mcu',
    flashBytes: 1 * MiB,
    ramBytes: 256 * KiB,
    modelFlashBytes: 1 * MiB - 256 * KiB,
    modelRamBytes: 256 * KiB - 64 * KiB,
    note: '256 KiB flash and 64 KiB RAM kept for the BLE SoftDevice, bootloader and stack',
  },
  {
    id: 'rp2040',
    name: 'RP2040 (Raspberry Pi Pico)',
    kind: 'mcu',
    flashBytes: 2 * MiB,
    ramBytes: 264 * KiB,
    modelFlashBytes: 2 * MiB - 256 * KiB,
    modelRamBytes: 264 * KiB - 32 * KiB,
    note: '2 MiB QSPI flash on the Pico; 256 KiB flash and 32 KiB RAM kept for firmware and stack',
  },
  {
    id: 'raspberry-pi-4',
    name: 'Raspberry Pi 4 Model B (4 GB)',
    kind: 'linux',
    flashBytes: 32 * GiB,
    ramBytes: 4 * GiB,
    modelFlashBytes: 16 * GiB,
    modelRamBytes: 3 * GiB,
    note: 'a 32 GB SD card, half kept for the OS; 1 GiB RAM kept for Linux and the agent',
  },
  {
    id: 'mps2-an386',
    name: 'Arm MPS2 AN386 (Cortex-M4F, QEMU)',
    kind: 'emulated',
    flashBytes: 4 * MiB,
    ramBytes: 4 * MiB,
    modelFlashBytes: 4 * MiB - 256 * KiB,
    modelRamBytes: 4 * MiB - 64 * KiB,
    note: 'qemu-system-arm -M mps2-an386: 4 MiB code RAM at 0x0 used as flash, 4 MiB SRAM',
  },
  {
    id: 'netduinoplus2',
    name: 'Netduino Plus 2 (STM32F405, QEMU)',
    kind: 'emulated',
    flashBytes: 1 * MiB,
    ramBytes: 192 * KiB,
    modelFlashBytes: 1 * MiB - 128 * KiB,
    modelRamBytes: 192 * KiB - 32 * KiB,
    note: 'qemu-system-arm -M netduinoplus2: realistic STM32F405 limits (1 MiB flash, 192 KiB SRAM)',
  },
];

export function findBoard(id: string): BoardProfile | undefined {
  return BOARD_PROFILES.find((b) => b.id === id);
}
