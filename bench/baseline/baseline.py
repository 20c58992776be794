#!/usr/bin/python3
"""The plain feature-based baseline of shared/docs/baseline.md (scikit-learn, one thread).

SI: token-level logistic regression with IO tags; tokens with p >= 0.175 joined into runs
within a line, one-token gaps bridged, edge punctuation and unbalanced quotes trimmed.
TC: a linear SVM on span features; a span listed k times gets its k best distinct labels.
Full task: the SI spans, each with its best TC label.

Offsets are code points (Python's str indexes), start inclusive, end exclusive.

    /usr/bin/python3 bench/baseline/baseline.py train [--data DIR]
    /usr/bin/python3 bench/baseline/baseline.py predict --task si|tc|full \
        --articles DIR --out FILE [--template FILE]

Needs Debian's python3-sklearn. `predict` prints its own time with model loading excluded.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread, as the doc's figures

import argparse  # noqa: E402
import bisect  # noqa: E402
import functools  # noqa: E402
import glob  # noqa: E402
import math  # noqa: E402
import pickle  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.feature_extraction import FeatureHasher  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.environ.get("SPINSCOPE_DATA", os.path.join(ROOT, "..", "shared", "data", "ptc"))
MODEL = os.path.join(ROOT, ".cache", "baseline.pkl")
THRESHOLD = 0.175  # the doc's token threshold (chosen there on a train split)
SPAN_FEATURE_WEIGHT = 0.3  # TC: the hand-made span features beside two TF-IDF rows of norm 1

TOKEN = re.compile(r"\w+(?:['’.\-]\w+)*|\S", re.UNICODE)
QUOTES = {'"', "“", "”", "'", "‘", "’", "«", "»"}
CLOSERS = QUOTES | {")", "]"}
ENDS = (".", "!", "?")
STOP = set(
    "the a an and or of to in on for with at by from as is are was were be been it its this that"
    " these those he she they we you i his her their our your not but if so than then there"
    " has have had do does did will would can could should may might who which what when".split()
)
# Small hand-made cue lists: the doc's lexicon features (SI) and cue lists (TC).
CUES = {
    "loaded": "evil corrupt disgusting outrageous shameful radical extremist terror terrorist"
    " brutal vicious horrific disaster disastrous hysteria hysterical insane crazy lies liar"
    " destroy slaughter massacre thug thugs traitor treason scandal attack assault",
    "doubt": "so-called allegedly alleged supposedly claims claimed claim apparently questionable"
    " dubious suspicious whether really truth",
    "nation": "nation national nations country countries homeland patriot patriots patriotic"
    " america american americans our flag sovereignty freedom border borders people",
    "fear": "threat threats danger dangerous catastrophe crisis collapse fear afraid risk deadly"
    " chaos invasion invade",
    "causal": "because therefore thus hence reason caused cause causes due result led blame",
    "authority": "according expert experts scientist scientists professor official officials"
    " study studies research report said says",
    "blackwhite": "either or only choice choose alternative must unless otherwise",
    "whatabout": "hypocrisy hypocrite hypocrites hypocritical double standard meanwhile instead",
    "hitler": "hitler nazi nazis fascist fascists fascism communist communists communism stalin"
    " gestapo holocaust",
    "exaggeration": "never always every everything nothing all entire entirely whole totally"
    " absolutely completely biggest worst greatest huge massive",
    "cliche": "enough said period end story simple matter fact bottom line",
    "bandwagon": "everyone everybody majority millions popular join",
}
CUE_OF = defaultdict(list)
for _name, _words in CUES.items():
    for _word in _words.split():
        CUE_OF[_word].append(_name)
LABELS_HASHER = FeatureHasher(n_features=2**20, input_type="string", alternate_sign=False)
DICT_HASHER = FeatureHasher(n_features=2**18, input_type="dict", alternate_sign=False)


def is_word(w):
    return any(c.isalnum() for c in w)


@functools.lru_cache(maxsize=65536)
def shape(w):
    s = re.sub("[A-Z]", "X", re.sub("[a-z]", "x", re.sub("[0-9]", "d", w)))
    return re.sub(r"(.)\1+", r"\1\1", s)


def bucket(n, edges=(1, 2, 3, 5, 10, 20)):
    k = bisect.bisect_left(edges, n)
    return str(edges[k]) if k < len(edges) else f">{edges[-1]}"


class Article:
    """Tokens with code-point offsets, their line and sentence, and per-article counts."""

    def __init__(self, aid, text):
        self.id, self.text = aid, text
        self.starts, self.ends, self.words = [], [], []
        self.line, self.sent, self.inq = [], [], []  # line, sentence, inside a quotation
        self.sentences = []  # [first, last) token indexes
        line_no = 0
        for m in re.finditer(r"[^\n]+", text):
            toks = [t for t in TOKEN.finditer(m.group())]
            if not toks:
                continue
            quoted = False
            for k, t in enumerate(toks):
                w = t.group()
                i = len(self.words)
                prev = toks[k - 1].group() if k > 0 else ""
                prev2 = toks[k - 2].group() if k > 1 else ""
                ended = prev in ENDS and w not in CLOSERS
                if k == 0 or ended or (prev2 in ENDS and prev in CLOSERS):
                    if self.sentences:
                        self.sentences[-1][1] = i
                    self.sentences.append([i, i])
                opening = w in ("“", "«") or (w == '"' and not quoted)
                closing = w in ("”", "»") or (w == '"' and quoted)
                quoted = quoted or opening
                self.starts.append(m.start() + t.start())
                self.ends.append(m.start() + t.end())
                self.words.append(w)
                self.line.append(line_no)
                self.sent.append(len(self.sentences) - 1)
                self.inq.append(quoted)
                quoted = quoted and not closing
            line_no += 1
        if self.sentences:
            self.sentences[-1][1] = len(self.words)
        self.lower = [w.lower() for w in self.words]
        self.line_first, self.line_last = {}, {}
        for i, line in enumerate(self.line):
            self.line_first.setdefault(line, i)
            self.line_last[line] = i
        self.counts = Counter(self.lower)
        self.lower_text = text.lower()

    def tokens_in(self, start, end):
        """The tokens that overlap [start, end)."""
        first = bisect.bisect_right(self.ends, start)
        return list(range(first, bisect.bisect_left(self.starts, end)))


def read_articles(folder):
    if os.path.isdir(os.path.join(folder, "articles")):
        folder = os.path.join(folder, "articles")
    articles = []
    for path in sorted(glob.glob(os.path.join(folder, "article*.txt"))):
        aid = re.match(r"article(.+)\.txt$", os.path.basename(path)).group(1)
        with open(path, encoding="utf-8", newline="") as f:  # keep a BOM: it is character 0
            articles.append((aid, f.read()))
    return articles


def read_labels(path):
    """(article id, technique or None, start, end) for each line of a SemEval label file."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) == 3:
                rows.append((cols[0], None, int(cols[1]), int(cols[2])))
            elif len(cols) == 4:
                rows.append((cols[0], cols[1], int(cols[2]), int(cols[3])))
    return rows


# --- SI: token features, logistic regression, decoding ------------------------------------


def token_features(a):
    """Each token's own features, and each sentence's (shared by its tokens: the bag of words)."""
    rows, sentence_rows = [], []
    n = len(a.words)
    shapes = [shape(w) for w in a.words]
    for s0, s1 in a.sentences:
        words = set(a.words[s0:s1])
        length = s1 - s0
        sentence_rows.append(
            ["sb=" + w for w in set(a.lower[s0:s1]) if is_word(w)]
            + [f"s{c}" for c in "!?" if c in words]
            + (["sq"] if QUOTES & words else [])
            + ["sc=" + c for w in set(a.lower[s0:s1]) for c in CUE_OF.get(w, ())]
            + ["len=" + bucket(length, (3, 6, 10, 20, 30, 50))]
        )
        for i in range(s0, s1):
            w, lw = a.words[i], a.lower[i]
            f = ["w=" + w, "l=" + lw, "s=" + shapes[i], "p3=" + lw[:3], "x3=" + lw[-3:]]
            for o in (-2, -1, 1, 2):
                j = i + o
                inside = 0 <= j < n and a.line[j] == a.line[i]
                f.append(f"w{o}=" + (a.lower[j] if inside else "<>"))
                f.append(f"s{o}=" + (shapes[j] if inside else "<>"))
                if inside:
                    f += [f"c{o}=" + c for c in CUE_OF.get(a.lower[j], ())]
            f.append("b-=" + (a.lower[i - 1] if i > s0 else "<>") + "|" + lw)
            f.append("b+=" + lw + "|" + (a.lower[i + 1] if i + 1 < s1 else "<>"))
            f += ["title" if a.line[i] == 0 else "body", f"rel={int(4 * (i - s0) / length)}"]
            f += ["fs=" + bucket(i - s0), "fe=" + bucket(s1 - 1 - i)]
            f += ["inq"] if a.inq[i] else []
            f += [f"rep={bucket(a.counts[lw], (1, 2, 4, 8))}"] if is_word(w) else []
            f += ["c=" + c for c in CUE_OF.get(lw, ())]
            rows.append(f)
    return rows, sentence_rows


def token_matrix(a):
    """Token rows plus their sentence's row: the same as listing the sentence's features on
    every token, without hashing them once per token."""
    rows, sentence_rows = token_features(a)
    n = len(a.sent)
    of_sentence = sp.csr_matrix((np.ones(n), (np.arange(n), a.sent)), shape=(n, len(a.sentences)))
    sentences = LABELS_HASHER.transform(sentence_rows)
    return (LABELS_HASHER.transform(rows) + of_sentence @ sentences).tocsr()


def token_probabilities(tagger, a):
    """The tagger's p(inside a span) for each token; as predict_proba on token_matrix, but each
    sentence's share of the score is computed once."""
    if not a.words:
        return np.zeros(0)
    rows, sentence_rows = token_features(a)
    w = tagger.coef_[0]
    z = LABELS_HASHER.transform(rows) @ w + (LABELS_HASHER.transform(sentence_rows) @ w)[a.sent]
    return 1 / (1 + np.exp(-(z + tagger.intercept_[0])))


def decode(a, p, threshold=THRESHOLD):
    """Spans from token probabilities: runs within a line, one-token gaps bridged, trimmed."""
    on = [x >= threshold for x in p]
    for i in range(1, len(on) - 1):
        if not on[i] and on[i - 1] and on[i + 1] and a.line[i - 1] == a.line[i + 1]:
            on[i] = True
    runs, run = [], []
    for i, flag in enumerate(on):
        if run and (not flag or a.line[i] != a.line[run[-1]]):
            runs.append(run)
            run = []
        if flag:
            run.append(i)
    runs += [run] if run else []
    spans = []
    for run in runs:
        trim(a, run)
        if any(is_word(a.words[i]) for i in run):
            spans.append((a.starts[run[0]], a.ends[run[-1]]))
    return spans


def trim(a, run):
    """Drop edge punctuation, and edge quotes while the run's quotes are unbalanced."""

    def droppable(i):
        w = a.words[i]
        return not is_word(w) and (w not in QUOTES or sum(a.words[j] in QUOTES for j in run) % 2)

    while run and (droppable(run[0]) or droppable(run[-1])):
        run.pop(0 if droppable(run[0]) else -1)


# --- TC: span features, linear SVM ---------------------------------------------------------


def span_features(a, spans):
    """A feature dict for each (start, end) of a template (spans listed k times appear k times)."""
    group = Counter(spans)
    shared = Counter(a.text[s:e].lower() for s, e in spans)
    rows = []
    for s, e in spans:
        nearest = min(max(bisect.bisect_right(a.starts, s) - 1, 0), len(a.words) - 1)
        toks = a.tokens_in(s, e) or [nearest]
        first, last = toks[0], toks[-1]
        words, lower = [a.words[i] for i in toks], [a.lower[i] for i in toks]
        text = a.text[s:e]
        f = {"ntok=" + bucket(len(toks)): 1, "nchar": math.log1p(e - s) / 5}
        f.update({"cl=" + a.lower[i]: 1 for i in range(max(0, first - 6), first)})
        f.update({"cr=" + a.lower[i]: 1 for i in range(last + 1, min(len(a.words), last + 7))})
        s0, s1 = a.sentences[a.sent[first]]
        rest = [i for i in range(s0, s1) if not first <= i <= last and is_word(a.words[i])]
        f.update({"rs=" + a.lower[i]: 1 for i in rest})
        f["srep=" + bucket(a.lower_text.count(text.lower()), (1, 2, 3, 5))] = 1
        f["tshare=" + bucket(shared[text.lower()], (1, 2, 3, 5))] = 1
        content = [a.counts[w] for w in lower if is_word(w) and w not in STOP and len(w) > 2]
        f["wrep=" + bucket(max(content, default=0), (0, 1, 2, 3, 5, 8))] = 1
        f["group=" + str(min(group[(s, e)], 3))] = 1
        for t, u in group:
            if (t, u) != (s, e):
                if t <= s and e <= u:
                    f["nested"] = 1
                elif s <= t and u <= e:
                    f["contains"] = 1
                elif t < e and s < u:
                    f["overlap"] = 1
        f["title" if a.line[first] == 0 else "body"] = 1
        f["relpos=" + str(int(4 * s / max(1, len(a.text))))] = 1
        if a.line_first[a.line[first]] == first and a.line_last[a.line[last]] == last:
            f["wholeline"] = 1
        if QUOTES & set(words):
            f["quote"] = 1
        if 0 < first and last + 1 < len(a.words):
            if a.words[first - 1] in QUOTES and a.words[last + 1] in QUOTES:
                f["quoted"] = 1
        f.update({"has" + c: 1 for c in "!?,#" if c in text})
        if any(len(w) > 1 and w.isupper() for w in words):
            f["allcaps"] = 1
        f["cap=" + str(text[:1].isupper())] = 1
        f.update({"cue=" + c: 1 for w in lower for c in CUE_OF.get(w, ())})
        f["first=" + lower[0]] = 1
        f["last=" + lower[-1]] = 1
        rows.append(f)
    return rows


def span_matrix(model, a, spans):
    texts = [a.text[s:e] for s, e in spans]
    features = SPAN_FEATURE_WEIGHT * DICT_HASHER.transform(span_features(a, spans))
    words, chars = model["words"].transform(texts), model["chars"].transform(texts)
    return sp.hstack([words, chars, features]).tocsr()


def top_labels(model, a, spans):
    """For each distinct span, its k best distinct labels, k = how often it is listed."""
    if not spans:
        return []
    scores = model["svm"].decision_function(span_matrix(model, a, spans))
    classes = model["svm"].classes_
    used = defaultdict(int)
    out = []
    for span, row in zip(spans, scores):
        out.append(classes[np.argsort(-row)[used[span]]])
        used[span] += 1
    return out


# --- commands ------------------------------------------------------------------------------


def train(args):
    split = os.path.join(args.data, "train")
    articles = {aid: Article(aid, text) for aid, text in read_articles(split)}
    si = defaultdict(list)
    for aid, _, s, e in read_labels(glob.glob(os.path.join(split, "*-task-si.labels"))[0]):
        si[aid].append((s, e))
    t0 = time.time()
    xs, ys = [], []
    for aid, a in articles.items():
        xs.append(token_matrix(a))
        gold = si[aid]
        for start, end in zip(a.starts, a.ends):  # inside: at least half the token in a gold span
            ys.append(any(2 * (min(e, end) - max(s, start)) >= end - start for s, e in gold))
    x, y = sp.vstack(xs).tocsr(), np.array(ys)
    print(f"SI: {x.shape[0]} tokens, {y.mean():.3f} inside spans", file=sys.stderr)
    tagger = LogisticRegression(C=0.1, solver="liblinear", max_iter=200).fit(x, y)
    print(f"SI trained in {time.time() - t0:.0f} s", file=sys.stderr)

    t0 = time.time()
    by_article = defaultdict(list)
    for aid, technique, s, e in read_labels(glob.glob(os.path.join(split, "*-task-tc.labels"))[0]):
        by_article[aid].append(((s, e), technique))
    spans = {aid: [span for span, _ in rows] for aid, rows in by_article.items()}
    model = {
        "words": TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True),
        "chars": TfidfVectorizer(analyzer="char", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
    }
    texts = [articles[aid].text[s:e] for aid, rows in by_article.items() for (s, e), _ in rows]
    model["words"].fit(texts)
    model["chars"].fit(texts)
    x = sp.vstack([span_matrix(model, articles[aid], spans[aid]) for aid in by_article])
    y = [t for rows in by_article.values() for _, t in rows]
    model["svm"] = LinearSVC(C=0.1, max_iter=5000).fit(x, y)
    print(f"TC: {len(y)} spans, trained in {time.time() - t0:.0f} s", file=sys.stderr)
    model["tagger"] = tagger
    os.makedirs(os.path.dirname(args.model), exist_ok=True)
    with open(args.model, "wb") as f:
        pickle.dump(model, f)
    print(f"model written to {args.model}", file=sys.stderr)


def predict(args):
    t0 = time.perf_counter()
    with open(args.model, "rb") as f:
        model = pickle.load(f)
    load = time.perf_counter() - t0
    articles = read_articles(args.articles)
    template = defaultdict(list)
    if args.task == "tc":
        found = glob.glob(os.path.join(args.articles, "*-tc-template.out"))
        path = args.template or (sorted(found)[0] if found else None)
        if path is None:
            sys.exit("the tc task needs --template FILE (the spans to label)")
        for aid, _, s, e in read_labels(path):
            template[aid].append((s, e))
    started = time.perf_counter()
    lines = []
    for aid, text in articles:  # one article at a time, as a user's calls would be
        a = Article(aid, text)
        if args.task == "tc":
            spans = template.get(aid, [])
        else:
            spans = decode(a, token_probabilities(model["tagger"], a))
        if args.task == "si":
            lines += [f"{aid}\t{s}\t{e}\n" for s, e in spans]
        else:
            labels = top_labels(model, a, spans)
            lines += [f"{aid}\t{t}\t{s}\t{e}\n" for (s, e), t in zip(spans, labels)]
    seconds = time.perf_counter() - started
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("".join(lines))
    print(
        f"baseline predict {args.task}: {len(articles)} articles in {seconds:.3f} s"
        f" ({len(articles) / seconds:.1f} articles/s; model load {load:.2f} s excluded),"
        f" {len(lines)} lines written to {args.out}"
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--model", default=MODEL, help="the pickle (default .cache/baseline.pkl)")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", parents=[common], help="train on DATA/train")
    t.add_argument("--data", default=CORPUS, help="PTC corpus folder (default ../shared/data/ptc)")
    p = sub.add_parser("predict", parents=[common], help="SemEval lines for a folder of articles")
    p.add_argument("--task", choices=("si", "tc", "full"), required=True)
    p.add_argument("--articles", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--template", help="tc: the spans to label (default DIR/*-tc-template.out)")
    args = parser.parse_args()
    train(args) if args.command == "train" else predict(args)


if __name__ == "__main__":
    main()
