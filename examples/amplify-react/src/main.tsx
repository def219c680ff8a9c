import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "@aws-amplify/ui-react/styles.css";
import "./backend"; // configures Amplify before anything signs in
import App from "./App";

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
