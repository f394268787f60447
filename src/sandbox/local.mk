# sandbox sources
