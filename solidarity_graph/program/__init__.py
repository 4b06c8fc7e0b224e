"""The international program's daily work on top of the graph: exchanges and delegations,
commitments and demands, employer chains, the solidarity-fund ledger, watchlists and alerts, feeds,
briefing packs and protected people.

Each area is a library module here (``exchanges``, ``commitments``, ``chain``, ``ledger``, ``watch``,
``feeds``, ``brief``, ``protect``), a set of commands (``<area>_cli.register``) and web routes
(``solidarity_graph.web.program_<area>``).
"""

AREAS = ("exchanges", "commitments", "chain", "ledger", "watch", "feeds", "brief", "protect")
