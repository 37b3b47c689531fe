"""Grouping volunteers into peer-support groups, as pure code: no Flask, database, Redis or mail import.

``hierarchy`` reads the reporting chain. The rest (slots, rules, the proposal search) works on plain values too,
so the API, the coordinator page, the tests and ``bench/grouping.py`` all ask the same questions.
"""
