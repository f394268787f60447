# net sources
