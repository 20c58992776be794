/** Where a command writes what it prints (stdout by default; a buffer in tests). */
export type Sink = (text: string) => void;

/** Exit codes after a stop by signal (128 + its number). */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
