"""The notification pages: the working calendar, the dispatch desk, the delivery log and demo
inbox, the IM groups."""
