"""Writes on programmes, enrollments and classes; import the module you need."""
