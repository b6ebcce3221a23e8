"""sync: the node's transactional outbox, the relay that delivers it, reference data pulled
from the platform, the platform client (an adapter), and a reference platform.

`sync` sits below `hall`: it imports nothing of it. The hall writes its outbox rows through
`sync.outbox.Outbox` inside its own transactions. See docs/sync-protocol.md.
"""
