# sync sources
