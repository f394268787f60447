# cli sources
