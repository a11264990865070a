// Package browser holds the end-to-end test of MaxScale's own GUI against
// the simulator: MaxGUI 24.02, built from MaxScale's source by
// scripts/maxgui-build.sh, served by the simulator (simulator.WithGUI) and
// driven in headless Chromium through chromedp, with a real SQL client's
// session to find and kill. It has no API; see maxgui_test.go and
// docs/FRONTEND.md.
package browser
