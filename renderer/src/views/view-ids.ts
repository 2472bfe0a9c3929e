export const VIEWS = [
  { id: 'designer', label: 'Designer' },
  { id: 'budget', label: 'Budget' },
  { id: 'training', label: 'Training' },
  { id: 'boards', label: 'Boards' },
  { id: 'packages', label: 'Packages' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

export function isViewId(value: string): value is ViewId {
  return VIEWS.some((v) => v.id === value);
}
