/**
 * An invented example article (our own writing, not news text), packed with techniques:
 * loaded language, name calling, flag-waving, doubt, fear, black-and-white, slogans,
 * repetition, bandwagon and a thought-terminating cliché.
 */
export const EXAMPLE_TITLE =
  'Greenfield Betrayed: Faceless Bureaucrats Plot to Close Our Beloved Library';

export const EXAMPLE_SOURCE = 'The Valley Clarion (invented example)';

export const EXAMPLE_TEXT = `${EXAMPLE_TITLE}

The faceless bureaucrats at the regional office have struck again, unveiling a shameful scheme to shut the Greenfield library for good.
For generations this library has been the beating heart of our proud valley, and every true Greenfielder knows it.
Director Malloy, the smug penny-pincher who has never set foot in a reading room, insists the building is "too costly to maintain".
But can we really trust a man whose own figures change every single week?
If we allow this today, tomorrow these vandals will come for our schools, our clinics and our parks.
There are only two choices: stand up now or watch our town die.
Everyone in the valley is already signing the petition, and you should too.
This is a fight for our nation, our heritage and the proud patriots who built this country.
These traitors and their corrupt cronies are destroying everything we love.
So we will say it again and again until they listen: books, not bulldozers; books, not bulldozers!
Some will shrug and say it is what it is, but Greenfield never gives up.
`;
