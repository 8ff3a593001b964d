"""One module per trigger kind, each declaring `KIND = TriggerKind(...)`, which the registry
finds. A declaration is names and text only, so listing kinds (the CLI's --help) stays cheap;
it names the module that holds the kind's spec, runner and SAM events."""
