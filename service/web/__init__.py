"""Server-rendered pages: the informant's form behind the personal link, and the caseworker's
case, round and meeting pages. They call the same use cases as the API."""
