// Entry of the migration pages (/admin/migrations); see ../migrations.js.
import { init } from "../migrations.js";

init();
