"""The interviewer quality suite: scripted candidates talk to a live server over HTTP, and criteria grade
the transcripts (see README, "Evaluation"). Tooling like bench/: never imported by the product."""
