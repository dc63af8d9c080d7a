//go:build linux && (production || dev)

package main

/*
#cgo !webkit2_41 pkg-config: webkit2gtk-4.0
#cgo webkit2_41 pkg-config: webkit2gtk-4.1
#include <webkit2/webkit2.h>

// The kiosk is one page of its own files. WebKit's default cache model is a browser's:
// a memory cache of up to 128 MB on a PC with 2 GB or more, half of it for resources no
// page shows any more (every ticket's QR picture, a new address each time), a
// back-forward cache of whole pages and a disk cache of up to 500 MB. DOCUMENT_VIEWER
// keeps none of them; on GTK it turns the memory cache off.
static void bingzhanWebContext(void) {
	webkit_web_context_set_cache_model(webkit_web_context_get_default(), WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
}

static void bingzhanConsoleIn(GtkWidget *w, gpointer unused) {
	if (WEBKIT_IS_WEB_VIEW(w)) {
		webkit_settings_set_enable_write_console_messages_to_stdout(webkit_web_view_get_settings(WEBKIT_WEB_VIEW(w)), TRUE);
	} else if (GTK_IS_CONTAINER(w)) {
		gtk_container_foreach(GTK_CONTAINER(w), bingzhanConsoleIn, NULL);
	}
}

// Wails makes the web view and offers no way to it, so it is found among the windows'
// widgets, on GTK's thread.
static gboolean bingzhanConsoleNow(gpointer unused) {
	GList *tops = gtk_window_list_toplevels();
	for (GList *l = tops; l != NULL; l = l->next) {
		bingzhanConsoleIn(GTK_WIDGET(l->data), NULL);
	}
	g_list_free(tops);
	return G_SOURCE_REMOVE;
}

static void bingzhanConsoleToStdout(void) {
	g_idle_add(bingzhanConsoleNow, NULL);
}
*/
import "C"

import "runtime"

// setUpWebKit sets what Wails offers no option for on the web context its window
// will use, before the window exists. WebKit belongs to the thread that first calls
// it, and Wails runs GTK on the thread of the goroutine that calls wails.Run, so the
// caller is locked to its thread here for good.
func setUpWebKit() {
	runtime.LockOSThread()
	C.bingzhanWebContext()
}

// showConsole makes the window's page write its console messages to standard output
// (with -v): a page's errors otherwise go nowhere in a window without developer tools,
// as the voice guide's silence in the Wails window once did. Call it once the window
// exists, from any goroutine.
func showConsole() {
	C.bingzhanConsoleToStdout()
}
