"""The web application: the customers' pages behind one-time links, and the engineers' workspace."""
