# store sources
