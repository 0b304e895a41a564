import Docker from "dockerode";
import {
  ContainerError,
  type ContainerRuntime,
  type ContainerSpec,
  type RunningContainer,
} from "../container-runtime.js";
import { containerCreateOptions } from "./container-config.js";
import { DockerContainer } from "./docker-container.js";
import { describeEngine, engineStatusCode, toContainerError } from "./docker-errors.js";

/** ContainerRuntime on a Docker engine; `new Docker()` follows DOCKER_HOST like the docker CLI. */
export class DockerRuntime implements ContainerRuntime {
  constructor(private readonly docker: Docker = new Docker()) {}

  async start(spec: ContainerSpec): Promise<RunningContainer> {
    await this.ensureImage(spec.image);

    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(containerCreateOptions(spec));
    } catch (err) {
      // The image can disappear between the check and the create.
      if (engineStatusCode(err) === 404) throw this.imageMissing(spec.image);
      throw toContainerError(this.docker, err, `create a container from ${spec.image}`);
    }

    const running = new DockerContainer(this.docker, container);
    try {
      await container.start();
    } catch (err) {
      // A container that never started holds nothing worth keeping; don't leave it behind.
      await running.remove().catch(() => {});
      throw toContainerError(this.docker, err, `start a container from ${spec.image}`);
    }
    return running;
  }

  /** Counts the containers this call removed; ones already being removed elsewhere are not counted. */
  async removeByLabel(key: string, value: string): Promise<number> {
    let found: Docker.ContainerInfo[];
    try {
      found = await this.docker.listContainers({ all: true, filters: { label: [`${key}=${value}`] } });
    } catch (err) {
      throw toContainerError(this.docker, err, `list containers labelled ${key}=${value}`);
    }
    const removed = await Promise.all(
      found.map(async (info) => {
        try {
          await this.docker.getContainer(info.Id).remove({ force: true, v: true });
          return true;
        } catch (err) {
          const status = engineStatusCode(err);
          if (status === 404 || status === 409) return false;
          throw toContainerError(this.docker, err, `remove container ${info.Id}`);
        }
      }),
    );
    return removed.filter(Boolean).length;
  }

  // The one place an image is made available. Pulling (with progress in the action's log, see
  // DESIGN §9) belongs here; until then a missing image is an error the operator fixes.
  private async ensureImage(image: string): Promise<void> {
    try {
      await this.docker.getImage(image).inspect();
    } catch (err) {
      if (engineStatusCode(err) === 404) throw this.imageMissing(image);
      throw toContainerError(this.docker, err, `inspect image ${image}`);
    }
  }

  private imageMissing(image: string): ContainerError {
    return new ContainerError(
      `Image "${image}" is not present on the Docker engine at ${describeEngine(this.docker)}, and this ` +
        `version does not pull images. Pull or build it on that engine first (e.g. docker pull ${image}), ` +
        "or change container.image in the automation definition.",
      "image_missing",
    );
  }
}


