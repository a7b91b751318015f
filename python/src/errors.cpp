#include "errors.hpp"

#include <exception>

#include "tsweep/core/error.hpp"

namespace py = pybind11;

namespace tsweep::python {

namespace {

// A new exception class `name` in `module`, deriving from `bases` (a class or
// a tuple of classes). Users meet it as tsweep.<name>, so that is its name.
py::object new_exception(py::module_& module, const char* name, py::handle bases, const char* doc) {
  const std::string qualified = std::string("tsweep.") + name;
  py::object type =
      py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr));
  if (!type) throw py::error_already_set();
  module.attr(name) = type;
  return type;
}

// The classes live as long as the module, which never unloads: leaked on
// purpose, so that no destructor runs after the interpreter has gone.
struct ErrorTypes {
  PyObject* error;
  PyObject* store;
  PyObject* codec;
  PyObject* config;
};
ErrorTypes* g_types = nullptr;

void translate(std::exception_ptr p) {  // NOLINT(performance-unnecessary-value-param): pybind11's signature
  try {
    if (p) std::rethrow_exception(p);
  } catch (const IoError& e) {
    PyErr_SetString(g_types->store, e.what());
  } catch (const CodecError& e) {
    PyErr_SetString(g_types->codec, e.what());
  } catch (const ConfigError& e) {
    PyErr_SetString(g_types->config, e.what());
  } catch (const Error& e) {
    PyErr_SetString(g_types->error, e.what());
  }
}

}  // namespace

void register_errors(py::module_& module) {
  py::object error =
      new_exception(module, "Error", PyExc_Exception, "Base of the errors that tsweep raises on purpose.");
  py::object store = new_exception(module, "StoreError", py::make_tuple(error, py::handle(PyExc_OSError)),
                                   "A store that cannot be opened or read: missing, not a tsweep store, damaged, "
                                   "or held by a writer that is not a SWMR writer.");
  py::object codec = new_exception(module, "CorruptBlockError", py::make_tuple(error, py::handle(PyExc_ValueError)),
                                   "An encoded block that cannot be decoded.");
  py::object config = new_exception(module, "InputError", py::make_tuple(error, py::handle(PyExc_ValueError)),
                                    "A value tsweep cannot accept (names the value and what was expected).");
  g_types = new ErrorTypes{error.release().ptr(), store.release().ptr(), codec.release().ptr(), config.release().ptr()};
  py::register_exception_translator(translate);
}

}  // namespace tsweep::python
