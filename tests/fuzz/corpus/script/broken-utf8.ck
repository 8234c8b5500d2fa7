type ÿþ broken
tap ok
