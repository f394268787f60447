# api sources
