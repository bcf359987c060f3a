"""Order lifecycle signals, sent INSIDE the transaction that makes the change (under the order's row lock), so a
receiver's writes (e.g. the distribution ledger) commit or roll back together with the order.

- order_placed(order, request): lines exist, nothing paid yet (attribution snapshots go here)
- order_cancelled(order, reason): an unpaid order was cancelled or expired (reason cancelled|expired); its
  stock was released. Plays give back what the order held (a group seat, flash stock, a coupon).
- order_paid(order): the payment was verified and the order moved to paid
- order_received(order): the buyer (or the auto-receive sweep) confirmed receipt
- order_completed(order): the after-sales window ended
- line_refunded(line, amount): money was returned for a line (amount > 0; line.refunded_amount already includes it)

Receivers must not swallow errors: a failure rolls the order change back, by design.
"""

from django.dispatch import Signal

order_placed = Signal()
order_cancelled = Signal()
order_paid = Signal()
order_received = Signal()
order_completed = Signal()
line_refunded = Signal()
