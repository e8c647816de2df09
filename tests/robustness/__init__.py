"""Robustness: hostile files, crashes and full disks (issue 10). `make soak` runs the long ones."""
