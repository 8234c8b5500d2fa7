# The accessibility panel, from any screen: text size, high contrast, speech and its volume,
# each spoken in the session's language; all of it back to the defaults for the next resident.
tap lang:es
tap report
tap access
expect-screen accessibility
screenshot panel
tap access:contrast
tap access:text-150
screenshot panel-large-contrast
tap access:speech
# Touch to hear: a first touch says the button, a second one acts.
tap access:volume-up
tap access:volume-up
tap access:close
tap access:close
expect-screen services
screenshot services-large-contrast
tap cancel
tap cancel
expect-screen welcome
# The next resident finds the standard size, normal contrast, speech off, volume 70%.
screenshot welcome-reset
tap access
tap access:speech
tap access:volume-up
tap access:volume-up
tap access:close
tap access:close
