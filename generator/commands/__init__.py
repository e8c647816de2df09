"""The `recap` subcommands, one module each; `generator.cli` gathers them."""
