/** What Vite's `?raw` imports and VADER's untyped lexicon file give. */
declare module '*?raw' {
  const text: string;
  export default text;
}

declare module 'vader-sentiment/src/vader_lexicon.js' {
  export const lexicon: Record<string, number>;
}
