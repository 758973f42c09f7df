/* fin sim — placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int fin_cmd_sim(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "fin sim: not built yet\n");
  return 2;
}
