"""`migrate-lint server`: a Language Server Protocol server over stdio (pygls, lsprotocol).

A thin layer over the engine the CLI uses: `project` (settings, files on disk, buffers),
`replayed` (the one door into lint/replay), `session` (requests on a worker thread),
`actions`, `hover`, `diagnostics` and `positions` (LSP shapes), `app` (pygls handlers).
"""
