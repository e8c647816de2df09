"""Password protection of a client's journal: content keys wrapped per password (`keys`), files
sealed as blobs (`blobs`), the protected site with its unlock page and service worker
(`protect`), and the encrypted inventory of a build that the browser checks (`inventory`)."""
