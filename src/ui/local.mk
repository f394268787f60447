# ui sources
