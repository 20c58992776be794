/**
 * What a fresh thread analyses before its first real article (Detector.warmUp): invented
 * news articles of several kinds and lengths (a council row, a campaign speech, a health
 * scare, a dry business report), with quotes, numbers, lists, capitals, hashtags, emoji and
 * long sentences, so that the JavaScript engine has optimised every stage for what articles
 * hold and the per-word caches know the common words, not just one short text's.
 */
export const WARM_UP_ARTICLES: readonly string[] = [
  [
    'Councillors Vote to Close the Riverside Pool',
    '',
    'The council voted on Monday to close the Riverside pool, the only public pool in the east of the city, saying that repairs would cost £2.4 million.',
    '"This is a disgraceful betrayal of every family in this town," said Jane Okafor, who has swum there for thirty years. "They never listen. Never."',
    'The deputy leader said the decision was hard but necessary: either the pool closes or libraries and clinics will suffer.',
    'Critics asked why the council found money for a new office tower last year. Everyone knows the answer, one campaigner wrote: greedy developers run this town.',
    'A petition with 4,000 signatures will be delivered on Friday. Save our pool!',
  ].join('\n'),
  [
    'Senator Vows to "Take Back Our Borders" at Packed Rally 🇺🇸',
    '',
    'MILLBROOK, Ohio — Thousands of supporters waving flags filled the county fairground on Saturday night as Senator Dale Whitcombe promised to "take back our borders, our jobs and our future" from what he called "a rotten gang of career politicians and their friends in the media."',
    'For nearly an hour he spoke without notes. "They laugh at you. They think you are stupid. They think you will believe anything they tell you," he said, pointing at the press pen, where reporters were booed. "Well, I have news for them: the American people are not stupid, and they are not going to take it anymore!"',
    'The senator, who is seeking a third term, repeated his claim that the new trade agreement would "destroy every factory in this state within five years". Economists at the state university have estimated that the agreement would cost between 1,200 and 3,500 manufacturing jobs over a decade, while adding jobs in farming and logistics.',
    'He also attacked his opponent, the former mayor Rosa Delgado, calling her "Radical Rosa" and "a puppet of Wall Street". Delgado\'s campaign said in a statement that the senator "prefers insults to ideas" and noted that he had voted for an earlier version of the same agreement in 2019.',
    'There were cheers when he described the election as "a battle between good and evil" and told the crowd that "if we lose this one, we may never get our country back". Some in the audience wore T-shirts reading WE THE PEOPLE and #NeverSurrender.',
    'Not everyone was convinced. "I came to hear what he would do about the price of insulin," said Marcus Hill, 64, a retired welder. "I heard a lot about enemies. I did not hear much about insulin."',
    'The rally ended with fireworks and a recording of the national anthem. Polls published last week show the race within the margin of error.',
  ].join('\n'),
  [
    'Doctors Warn of "Hidden Epidemic" as Clinics Close',
    '',
    'A leading group of family doctors has warned that the closure of rural clinics is creating a "hidden epidemic" of untreated illness, as patients wait weeks for appointments or give up altogether.',
    'In a report published on Wednesday, the Rural Medicine Association said that 37 clinics had closed across the region since 2021, leaving an estimated 180,000 people more than 30 miles from the nearest doctor. The health ministry disputes the figures and says that most of the closures were mergers.',
    'Dr. Amira Haddad, who chairs the association, did not mince her words. "People are dying quietly in their homes because nobody is there to see them," she said. "Ministers sit in their comfortable offices and pretend that everything is fine. It is not fine. It is a scandal, and history will judge them for it."',
    'The report lists the conditions that doctors say are going undiagnosed: diabetes, high blood pressure, early cancers and depression. It calls for three things:',
    '1. an emergency fund to reopen the ten clinics with the longest waiting lists;',
    '2. mobile surgeries that visit villages at least once a week;',
    '3. a review of how patients are counted, because "what is not measured is ignored".',
    'A ministry spokesman said the government had increased health spending every year and that "scaremongering does nothing to help patients". He accused the association of "playing politics with people\'s health" weeks before the election.',
    'Some patients say the debate misses the point. "I don\'t care who is to blame," said Tom Fairweather, 71, who now drives 45 minutes each way for his check-ups. "I just want a doctor. Is that really too much to ask?"',
    'Online, the report set off a flood of claims, some of them false: a widely shared post said that "thousands" had died waiting for care this winter, a figure that appears in no official data. 😷 Fact-checkers found no source for it.',
  ].join('\n'),
  [
    'Harbour Logistics Reports Higher Profits, Plans 200 Jobs',
    '',
    'Harbour Logistics, the freight company based in Port Elm, reported a 12 per cent rise in annual profits on Thursday and said it would hire 200 people at a new warehouse next year.',
    'Revenue rose to $842 million in the year to September, from $768 million a year earlier, helped by higher container volumes and lower fuel costs. Net profit was $61.3 million. The board proposed a dividend of 48 cents a share.',
    'The chief executive, Lena Morgenstern, said the company had "a strong year in difficult markets" and expected growth to slow in the first half. She said the new warehouse, near the ring road, would open in the spring if planning permission is granted.',
    'Shares in the company rose 3.4 per cent in morning trading. Analysts at two banks raised their price targets, while a third said the valuation already reflected the good news.',
    "The company also said it had settled a dispute with the dockworkers' union over night-shift pay. Under the agreement, which runs for three years, pay for night shifts will rise by 6 per cent in the first year and by 3 per cent in each of the following two.",
    'A spokeswoman for the union said members had voted to accept the offer by a margin of 812 to 295. "It is not everything we asked for, but it is a fair deal," she said.',
    'The results were published a day after the port authority announced plans to deepen the main channel, a project expected to take four years and cost about $300 million.',
  ].join('\n'),
];
