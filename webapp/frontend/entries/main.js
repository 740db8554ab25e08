// Entry of the front-end bundle: Bootstrap's styles and behaviours, and our own styles.
// esbuild writes main.js and main.css to webapp/static/dist (see package.json).
import "bootstrap/dist/css/bootstrap.min.css";
import "../app.css";
import "bootstrap/js/dist/collapse";
import "../forms.js";
import "../confirm.js";
import "../start.js";
