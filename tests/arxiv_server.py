"""A local stand-in for the arXiv API (`/api/query?id_list=…`), answering in arXiv's own format.

Written by hand after /work/shared/reference/arxiv-api.md: an Atom 1.0 feed whose own `<link
rel="self">` comes before any entry, the OpenSearch counters, entries with hard-wrapped titles,
`published`/`updated`, authors (one with an affiliation), abs/pdf/doi links, `arxiv:comment`,
`arxiv:journal_ref`, `arxiv:primary_category` and categories. Special ids give the failure modes:
an empty feed, an `Error` entry (naming the id or not), a plain-text `Rate exceeded.`, HTTP 500, and an answer slower
than any client timeout used in the tests (it waits at most `SLOW_SECONDS`, less when stopped).

Several comma-separated ids (`id_list=a,b,c`) get one feed with an entry for each known one, in
the order asked, at most `max_results` of them (10 when not given, as arXiv does); ids it does not
know are left out. A failure id anywhere in the list fails the whole request, as on arXiv (one
malformed id turns the whole answer into a single `Error` entry). Besides the real papers there are
made-up ones: `WITHDRAWN`, and `2499.1nnnn` for any nnnn (`synthetic_id(n)`), to fill big batches.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SLOW_SECONDS = 5.0
EMPTY, ERROR, THROTTLED, BROKEN, SLOW = "2499.00001", "1234.5678", "2499.00002", "2499.00003", "2499.00004"
WITHDRAWN = "2499.00005"
UNNAMED_ERROR = "2499.00006"  # answered with an Error entry that names no id
DEFAULT_MAX_RESULTS = 10

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3D%26id_list%3D{query}%26start%3D0%26max_results%3D10" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list={query}&amp;start=0&amp;max_results=10</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2024-02-01T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">10</opensearch:itemsPerPage>
{entries}</feed>
"""

ENTRY = """  <entry>
    <id>http://arxiv.org/abs/{id}v{version}</id>
    <updated>{updated}T17:59:54Z</updated>
    <published>{published}T17:59:54Z</published>
    <title>{title}</title>
    <summary>  {summary}
</summary>
{authors}    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.48550/arXiv.{id}</arxiv:doi>
    <link title="doi" href="http://dx.doi.org/10.48550/arXiv.{id}" rel="related"/>
{extra}    <link href="http://arxiv.org/abs/{id}v{version}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{id}v{version}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{category}" scheme="http://arxiv.org/schemas/atom"/>
    <category term="{category}" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""

ERROR_ENTRY = """  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{id}</id>
    <title>Error</title>
    <summary>incorrect id format for {id}</summary>
    <updated>2024-02-01T00:00:00-05:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_{id}" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
"""

# Facts of real papers (titles, dates, authors); summaries are placeholders.
PAPERS = {
    "2306.11695": dict(
        title="A Simple and Effective Pruning Approach for Large\n      Language Models",
        published="2023-06-20", versions={1: "2023-06-20", 2: "2023-10-06", 3: "2024-05-06"},
        authors=[("Mingjie Sun", "Carnegie Mellon University"), ("Zhuang Liu", None),
                 ("Anna Bair", None), ("J. Zico Kolter", None)],
        comment="Accepted at ICLR 2024. Code at https://github.com/locuslab/wanda", journal_ref=None,
        category="cs.CL"),
    "2301.00774": dict(
        title="SparseGPT: Massive Language Models Can Be Accurately Pruned in\n      One-Shot",
        published="2023-01-02", versions={1: "2023-01-02", 3: "2023-03-22"},
        authors=[("Elias Frantar", None), ("Dan Alistarh", None)],
        comment=None, journal_ref="Proceedings of the 40th International Conference on Machine Learning (ICML 2023)",
        category="cs.LG"),
    # Made up: a withdrawn paper, as arXiv shows one (a last version whose comment says so).
    WITHDRAWN: dict(
        title="Pruning Everything\n      at Once", published="2024-01-15", versions={1: "2024-01-15", 2: "2024-02-20"},
        authors=[("Ada Example", None)], comment="This paper has been withdrawn by the authors due to an error in "
                                                "Table 2", journal_ref=None, category="cs.LG"),
}


def synthetic_id(n: int) -> str:
    return f"2499.1{n:04d}"


def _paper(arxiv_id: str) -> dict | None:
    if arxiv_id in PAPERS:
        return PAPERS[arxiv_id]
    if arxiv_id.startswith("2499.1") and len(arxiv_id) == 10 and arxiv_id[5:].isdigit():
        n = int(arxiv_id[6:])
        return dict(title=f"Synthetic Paper Number {n}", published="2024-03-01", versions={1: "2024-03-01"},
                    authors=[(f"Author {n}", None), ("Second Author", None)], comment=None, journal_ref=None,
                    category="cs.LG")
    return None


def _entry(arxiv_id: str, version: int | None) -> str:
    paper = _paper(arxiv_id)
    version = version or max(paper["versions"])
    authors = ""
    for name, affiliation in paper["authors"]:
        aff = (f'      <arxiv:affiliation xmlns:arxiv="http://arxiv.org/schemas/atom">{affiliation}'
               f'</arxiv:affiliation>\n') if affiliation else ""
        authors += f"    <author>\n      <name>{name}</name>\n{aff}    </author>\n"
    extra = ""
    if paper["comment"]:
        extra += f'    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">{paper["comment"]}</arxiv:comment>\n'
    if paper["journal_ref"]:
        extra += (f'    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">{paper["journal_ref"]}'
                  f'</arxiv:journal_ref>\n')
    return ENTRY.format(id=arxiv_id, version=version, updated=paper["versions"][version], published=paper["published"],
                        title=paper["title"], summary="A placeholder abstract, hard-wrapped\n  across lines.",
                        authors=authors, extra=extra, category=paper["category"])


class ArxivStub:
    """Start with `with ArxivStub() as stub:`; `stub.url` is the API address, `stub.requests` the log."""

    def __init__(self, host: str = "127.0.0.1"):
        self.requests: list[dict] = []
        self.stop = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = parse_qs(parts.query)
                query = params.get("id_list", [""])[0]
                max_results = params.get("max_results", [None])[0]
                stub.requests.append({"path": parts.path, "id_list": query, "max_results": max_results,
                                      "user_agent": self.headers.get("User-Agent", "")})
                stub.answer(self, query, int(max_results) if max_results else DEFAULT_MAX_RESULTS)

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.url = f"http://{host}:{self.server.server_address[1]}/api/query"

    def __enter__(self) -> "ArxivStub":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def answer(self, handler: BaseHTTPRequestHandler, query: str, max_results: int = DEFAULT_MAX_RESULTS) -> None:
        ids = query.split(",")
        if SLOW in ids:
            self.stop.wait(SLOW_SECONDS)
            return self.send(handler, 200, "application/atom+xml", FEED.format(query=query, total=0, entries=""))
        if THROTTLED in ids:
            return self.send(handler, 200, "text/plain", "Rate exceeded.")
        if BROKEN in ids:
            return self.send(handler, 500, "text/html", "<html><body>Internal Server Error</body></html>")
        if ERROR in ids:
            return self.send(handler, 200, "application/atom+xml",
                             FEED.format(query=query, total=1, entries=ERROR_ENTRY.format(id=ERROR)))
        if UNNAMED_ERROR in ids:
            entry = ERROR_ENTRY.format(id="x").replace("incorrect_id_format_for_x", "unknown").replace(
                "incorrect id format for x", "something went wrong")
            return self.send(handler, 200, "application/atom+xml", FEED.format(query=query, total=1, entries=entry))
        entries = []
        for one in ids:
            bare, _, version = one.partition("v")
            paper = _paper(bare)
            if paper and (not version or version.isdigit() and int(version) in paper["versions"]):
                entries.append(_entry(bare, int(version) if version else None))
        return self.send(handler, 200, "application/atom+xml",
                         FEED.format(query=query, total=len(entries), entries="".join(entries[:max_results])))

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, content_type: str, body: str) -> None:
        data = body.encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", f"{content_type}; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:  # the client gave up (timeout test)
            pass
