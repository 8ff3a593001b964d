"""The learner's function as the app keeps it, without Qt: its function.toml kept in step with
applied settings, saved test events, autosaved editor text, provisioned concurrency behind
alias `live`, and exercise checks run on the code the learner is looking at."""
