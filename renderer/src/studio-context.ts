import { createContext } from 'svelte';
import type { ApiClient } from '../../main/contract/rpc.js';
import type { BoardsState } from './boards/boards-state.svelte.js';
import type { BudgetState } from './budget/budget-state.svelte.js';
import type { DesignState } from './design/design-state.svelte.js';
import type { PackagesState } from './packages/packages-state.svelte.js';
import type { SpecFiles } from './design/spec-files.svelte.js';
import type { TrainingState } from './training/training-state.svelte.js';
import type { ViewNav } from './views/view-nav.svelte.js';

// Typed context: the App creates the state once and components ask for the piece they show. The API
// client (and what needs it) is undefined when the page could not reach the studio.
export const [getApiClient, setApiClient] = createContext<ApiClient | undefined>();
export const [getNav, setNav] = createContext<ViewNav>();
export const [getDesign, setDesign] = createContext<DesignState>();
export const [getBudget, setBudget] = createContext<BudgetState>();
export const [getSpecFiles, setSpecFiles] = createContext<SpecFiles | undefined>();
export const [getTraining, setTraining] = createContext<TrainingState | undefined>();
export const [getBoards, setBoards] = createContext<BoardsState | undefined>();
export const [getPackages, setPackages] = createContext<PackagesState | undefined>();
