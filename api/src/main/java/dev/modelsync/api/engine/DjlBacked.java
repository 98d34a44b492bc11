package dev.modelsync.api.engine;

import ai.djl.Model;

/** A loaded version whose native resources DJL owns under its engine's system manager. */
interface DjlBacked {
  Model djlModel();
}
