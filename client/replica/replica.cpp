// replica
