/**
 * Invented news pages for the extension's browser test: the shapes that article reading and
 * highlighting trip on. All text is our own writing, never from a corpus or a real outlet.
 */

const head = (title: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} – The Harbour Herald</title>` +
  `<meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<link rel="stylesheet" href="/style.css"></head><body>` +
  `<header class="masthead"><a class="site" href="/">The Harbour Herald</a><nav>` +
  `<a href="/news">News</a><a href="/politics">Politics</a><a href="/sport">Sport</a><a href="/opinion">Opinion</a>` +
  `</nav></header>`;

const foot =
  `<footer><p>© The Harbour Herald, an invented newspaper. <a href="/contact">Contact</a> · ` +
  `<a href="/privacy">Privacy</a></p></footer></body></html>`;

const LONG_PARAGRAPHS = [
  'The spineless council has once again betrayed every hard-working family in this town, voting late on Tuesday to close the last public swimming pool.',
  'Only a fool would believe their promises now. Everyone knows the truth: these bureaucrats care about nothing but their own pensions.',
  'Residents packed the public gallery, and many left in tears as the vote was read out by the clerk.',
  'If we do nothing, our children will pay the price for decades. Enough is enough!',
  'The council’s leader said the pool cost too much to repair and that the money was needed for road maintenance.',
  'Critics, as always, whined about the cost, but real citizens know that a town that forgets its children will not survive.',
  'Either you stand with our families or you stand against them. There is no middle ground on this disgraceful decision.',
  'The pool opened in 1968 and has taught three generations of local children to swim.',
  'A petition with more than four thousand signatures was handed to the town hall last month, but it was ignored by the arrogant officials.',
  'Experts agree the closure will destroy the heart of the neighbourhood overnight and drive young families away for good.',
  'Is this really the best the council can do? Why should we trust people who have failed us at every turn?',
  'The swimming club’s coach, who has volunteered there for twenty years, said she was heartbroken.',
  'Local shops near the pool fear a loss of trade, and several owners have written to the mayor.',
  'This reckless, shameful vote is a slap in the face to every parent, every pensioner and every child in the borough.',
  'The council will meet again next month to discuss the budget for the coming year.',
  'Opposition members promised to fight the decision in every meeting until the doors reopen.',
  'Make no mistake: this is the beginning of the end for our public services.',
  'Some residents suggested a community trust could run the pool, and a public meeting is planned for Saturday.',
  'The corrupt clique at the town hall has lied to us for years, and now the whole town is paying for their greed.',
  'Those who stay silent today will have nobody to blame but themselves tomorrow.',
  'The pool will close its doors for the last time at the end of the summer season.',
  'Swimmers plan a final gala in August, with races for every age group and a parade through the high street.',
];

/** A long article: a headline, a byline, 22 paragraphs (one with a link inside a loaded phrase). */
export function longArticle(): string {
  const paragraphs = LONG_PARAGRAPHS.map((p, i) =>
    i === 8
      ? `<p>${p.replace('the arrogant officials', '<a href="/officials">the arrogant officials</a>')}</p>`
      : `<p>${p}</p>`,
  ).join('\n');
  return (
    head('Council Caves In Again') +
    `<main class="layout single"><article><h1>Council Caves In Again</h1>` +
    `<p class="byline">By Ana Example · 7 December 2026</p>${paragraphs}</article></main>` +
    foot
  );
}

/** Ads in the sidebar and between paragraphs, nested inline markup, comments, related links. */
export function busyArticle(): string {
  return (
    head('Flags Fly at the Harbour') +
    `<div class="layout"><main><article>` +
    `<h1>Flags Fly at the Harbour</h1><p class="byline">By Ben Sample · <time>7 December 2026</time></p>` +
    `<p>Thousands of <strong>proud <em>patriots</em></strong> lined the harbour on Sunday, waving the flag as the fleet came home after six months at sea.</p>` +
    `<p>The <a href="/officials">arrogant <i>officials</i></a> who tried to cancel the parade were nowhere to be seen. Why should we trust people who have failed us at every turn?</p>` +
    `<p>“This is who we are,” said the mayor, <span class="x"><span>standing on the quay</span></span> beside the returning crews. Enough is enough!</p>` +
    `<div class="ad sponsor" id="ad-inline"><strong>Advertisement</strong>Holidays by the sea: book now and save on family breaks this spring.</div>` +
    `<p>Critics, <em>as always</em>, whined about the cost of the parade, but <a href="/citizens">real citizens</a> know that a nation that forgets its heroes will not survive.</p>` +
    `<p>Either you stand with our sailors or you stand against them. There is no middle ground on this <em>disgraceful</em> decision, and the <b>cowardly <i>naysayers</i> in parliament</b> should hang their heads in shame.</p>` +
    `<p>The fleet’s commander thanked the families for their patience and said the crews would rest before their next deployment in the new year.</p>` +
    `<p>Local businesses reported a busy weekend, and the harbour café ran out of bread before noon on Sunday.</p>` +
    `</article>` +
    `<section class="comments" aria-label="Comments"><h2>Comments (3)</h2>` +
    `<div class="comment"><span class="who">harbourfan</span><p>What a disgrace the critics are, traitors every one of them!</p></div>` +
    `<div class="comment"><span class="who">seagull42</span><p>Lovely day, my kids loved the boats.</p></div>` +
    `<div class="comment"><span class="who">anon</span><p>Wake up people, they are lying to you about everything.</p></div>` +
    `</section></main>` +
    `<aside><div class="ad" id="ad-side"><strong>Advertisement</strong>New cars from 9,999: visit our showroom today.</div>` +
    `<nav class="related" aria-label="Related"><h2>Related</h2><ul><li><a href="/fleet">The fleet returns</a></li>` +
    `<li><a href="/budget">Navy budget debate</a></li></ul></nav>` +
    `<div class="ad"><strong>Advertisement</strong>Subscribe to the Herald for one pound a week.</div></aside></div>` +
    foot
  );
}

/** Emoji (a face, a flag, a joined sequence) and right-to-left quotes inside the paragraphs. */
export function emojiArticle(): string {
  return (
    head('Minister Under Fire') +
    `<main class="layout single"><article><h1>Minister Under Fire 😡</h1>` +
    `<p class="byline">By Chris Placeholder · 7 December 2026</p>` +
    `<p>The minister replied in Arabic, <q dir="rtl" lang="ar">قال الوزير إن الخطة ناجحة</q>, and in Hebrew, <q dir="rtl" lang="he">השר אמר שהכול בסדר</q>, before storming out of the chamber.</p>` +
    `<p>Opposition leaders called the plan a disaster, a catastrophe and a betrayal 🇬🇧 of every worker in the country.</p>` +
    `<p>Experts agree it will destroy thousands of jobs 🤦‍♀️ overnight, and the reckless minister does not care one bit.</p>` +
    `<p>Is this really the best the government can do? Enough is enough! 😡😡</p>` +
    `<p>The ministry said the plan would be reviewed in the spring, after a public consultation with employers and unions.</p>` +
    `<p>A spokesperson for the unions said members would meet next week to decide on their response to the proposals.</p>` +
    `</article></main>` +
    foot
  );
}

export const PAGES: Record<string, () => string> = {
  '/long.html': longArticle,
  '/busy.html': busyArticle,
  '/emoji.html': emojiArticle,
};
