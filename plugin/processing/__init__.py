"""QGIS Processing provider: thin algorithms over the Qt-free engine in ``plugin.core``.

``provider.RegistrationProvider`` is registered by the plugin's ``initProcessing`` (toolbox,
batch mode, modeler, ``qgis_process``). The engine (and so PyTorch) is imported only when an
algorithm runs, so the toolbox loads even where PyTorch is missing and says how to fix it then.
"""
