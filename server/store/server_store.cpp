// server store
