"""One module per trigger kind: its spec and checks, its runner, its SAM event, its samples,
and a `KIND = TriggerKind(...)` that the registry finds. Keep the top of each module cheap to
import (the CLI's --help reads KIND): engine modules are imported inside the runner."""
