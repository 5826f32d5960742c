"""The content stage: what an article shows. ``extract`` takes the main content out of an
article's web page; ``summary`` tells a feed's summary from a whole article."""
