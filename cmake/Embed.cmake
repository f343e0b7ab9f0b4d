# Script mode: writes OUT, a C++ file defining one std::string_view per input file.
set(content "// Generated from the files named below; edit those, not this.\n#include <string_view>\n\nnamespace ${NAMESPACE} {\n")
foreach(f ${FILES})
  get_filename_component(stem ${f} NAME_WE)
  file(READ ${f} body)
  string(APPEND content "// ${f}\nextern const std::string_view ${stem};\nconst std::string_view ${stem} = R\"lexroute_embed(${body})lexroute_embed\";\n")
endforeach()
string(APPEND content "}  // namespace ${NAMESPACE}\n")
file(WRITE ${OUT} "${content}")
