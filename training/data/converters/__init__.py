"""One converter per public dataset: `convert(data_dir) -> Iterator[Row]`.

`data_dir` is the folder that holds the dataset folders (../shared/data in the project
checkout). The build registry lives in `training.data.build`.
"""
