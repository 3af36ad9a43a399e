"""The keys model: the listed keys, marks, filters, sorting and the words of each cell."""
