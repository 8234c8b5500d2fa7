# A resident prints the receipt, then once more ("Print again" is offered once); the printed
# bytes decode back to a receipt whose QR reads as the status URL (print_receipt.check).
tap report
tap service:street-sign
type 45 Oak Avenue
tap next
tap next
tap option:no
tap next
tap submit
expect-screen done
expect-text Print receipt
screenshot done-print
tap print
wait-sync
expect-text Please take your receipt
expect-text Print again
screenshot printed
tap print-again
wait-sync
expect-no-text Print again
expect-no-text Print receipt
tap finish
expect-screen welcome
