// tsweep._tsweep: the C++ libraries under the tsweep Python package
// (python/tsweep/). Importing it starts neither MPI nor Kokkos: it reads
// stores rank-locally, through the sec2 driver.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "errors.hpp"
#include "store_handle.hpp"
#include "tsweep/core/time.hpp"
#include "tsweep/core/version.hpp"

namespace py = pybind11;
using tsweep::python::StoreHandle;

PYBIND11_MODULE(_tsweep, m) {
  m.doc() = "tsweep's C++ store reader and block decoder (use the tsweep package, not this module)";
  tsweep::python::register_errors(m);

  m.def("parse_iso8601", &tsweep::parse_iso8601, py::arg("text"),
        "ns since the epoch of an ISO-8601 time as tsweep configs write it (no zone: UTC), or None");
  m.def("format_iso8601", &tsweep::format_iso8601, py::arg("ns"), "ns since the epoch as ISO-8601 text, UTC");
  m.attr("__version__") = tsweep::version();
  m.attr("git_revision") = tsweep::git_revision();

  py::class_<StoreHandle>(m, "StoreHandle")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def("stream_table", &StoreHandle::stream_table)
      .def("names", &StoreHandle::names)
      .def("find", &StoreHandle::find, py::arg("name"))
      .def("match", &StoreHandle::match, py::arg("pattern"))
      .def("read", &StoreHandle::read, py::arg("ids"), py::arg("begin"), py::arg("end"), py::arg("physical"),
           py::arg("times"), py::arg("threads"))
      .def("refresh", &StoreHandle::refresh)
      .def("attributes", &StoreHandle::attributes, py::arg("id"))
      .def("identity", &StoreHandle::identity)
      .def("close", &StoreHandle::close)
      .def_property_readonly("path", &StoreHandle::path)
      .def_property_readonly("swmr", &StoreHandle::swmr)
      .def_property_readonly("format_version", &StoreHandle::format_version)
      .def_property_readonly("closed", &StoreHandle::closed);
}
