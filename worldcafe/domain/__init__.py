"""Pure core: no Flask, SQLAlchemy or Socket.IO; plain data in, plain data out."""
