"""The resident builder: a big site's `transmit build` leaves its builder running, the site in
memory, and the next `transmit build` of that site hands its work to it.

A fresh process spends a quarter of a second at 10,000 posts before it has done anything
(start-up, loading the last build's records); the builder that made the last build already has
them. It stats every input and output as a fresh build does, so nothing it did not see is
trusted, and it stops when unused for a while, when its socket is deleted (with the cache), or
when transmit or Python changed under it.

- `protocol`: where the builder listens, what a request carries, when one is kept;
- `client`: `transmit build` handing its build over, or saying no builder took it;
- `server`: the builder left running after a build, answering requests one at a time.
"""
