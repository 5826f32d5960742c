"""The content stage: article HTML as it is displayed and exported. ``sanitize`` makes it
safe (a pure function); ``clean`` keeps the archive's clean HTML in step and reads it;
``extract`` takes the main content out of an article's web page; ``summary`` tells a
feed's summary from a whole article; ``media`` finds and relinks an article's images,
``assets`` stores them by SHA-256.

Nothing is imported here: a writer process that only needs ``summary`` stays light."""
